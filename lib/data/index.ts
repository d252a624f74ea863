export { readIdx, parseIdx, IdxArray } from './idx';
export { loadMnist, loadFashionMnist, toCategorical, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, MnistSplit, MnistOptions } from './datasets';
