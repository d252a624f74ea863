"""The benchmark workloads in PyTorch (Debian's python3-torch), for side-by-side
comparison with tensorforge: same model, initialisation, optimizer, batch size
and per-epoch shuffle. Prints one JSON line."""
import argparse
import gzip
import json
import os
import resource
import statistics
import time

import numpy as np
import torch
from torch import nn

DATA = '/usr/share/datasets/fashion-mnist'


def read_idx(path):
    with (gzip.open if path.endswith('.gz') else open)(path, 'rb') as f:
        raw = f.read()
    rank = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load(prefix):
    x = read_idx(os.path.join(DATA, f'{prefix}-images-idx3-ubyte.gz')).astype(np.float32) / 255.0
    y = read_idx(os.path.join(DATA, f'{prefix}-labels-idx1-ubyte.gz')).astype(np.int64)
    return torch.from_numpy(x.reshape(len(x), -1).copy()), torch.from_numpy(y.copy())


def dense(i, o):
    # Keras's defaults: glorot-uniform kernel, zero bias.
    layer = nn.Linear(i, o)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def conv(i, o, k):
    # Keras's defaults: glorot-uniform kernel (fans include the window), zero bias, 'valid' padding.
    layer = nn.Conv2d(i, o, k)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class LastStep(nn.Module):
    """LSTM over the sequence, then the last step's output (Keras's returnSequences: false)."""

    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x):
        return self.lstm(x)[0][:, -1]


def keras_lstm(features, units):
    # Keras's defaults: glorot-uniform input kernel, orthogonal recurrent kernel,
    # zero bias except the forget gate's 1 (unitForgetBias). PyTorch has two
    # biases per gate; one carries Keras's, the other stays zero.
    lstm = nn.LSTM(features, units, batch_first=True)
    for gate in range(4):
        rows = slice(gate * units, (gate + 1) * units)
        nn.init.xavier_uniform_(lstm.weight_ih_l0.data[rows])
        nn.init.orthogonal_(lstm.weight_hh_l0.data[rows])
    nn.init.zeros_(lstm.bias_ih_l0)
    nn.init.zeros_(lstm.bias_hh_l0)
    lstm.bias_ih_l0.data[units:2 * units] = 1.0
    return lstm


# name -> (model, optimizer, batch size, default epochs, validation fraction, input shape per sample)
def build(name):
    # The models end in logits: softmax + categorical cross-entropy is
    # computed by nn.CrossEntropyLoss, as tensorforge fuses it too.
    if name == 'mlp':
        model = nn.Sequential(dense(784, 200), nn.ReLU(), dense(200, 150), nn.ReLU(), dense(150, 10))
        return model, torch.optim.Adam(model.parameters(), lr=5e-4, eps=1e-7), 32, 10, 0, (784,)
    if name == 'mlp-dropout':
        model = nn.Sequential(dense(784, 128), nn.ReLU(), nn.Dropout(0.2), dense(128, 10))
        return model, torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7), 32, 5, 0, (784,)
    if name == 'mlp-512':
        model = nn.Sequential(dense(784, 512), nn.ReLU(), dense(512, 10))
        # TF.js rmsprop: rho 0.9, epsilon 1e-7, no momentum.
        return model, torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7), 128, 5, 0, (784,)
    if name == 'cnn':
        model = nn.Sequential(conv(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), conv(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), dense(1600, 128), nn.ReLU(), dense(128, 10))
        return model, torch.optim.Adam(model.parameters(), lr=5e-4, eps=1e-7), 128, 10, 0, (1, 28, 28)
    if name == 'cnn-deep':
        model = nn.Sequential(conv(1, 32, 3), nn.ReLU(), conv(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                              conv(32, 64, 3), nn.ReLU(), conv(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Dropout(0.25), dense(1024, 512), nn.ReLU(), nn.Dropout(0.5), dense(512, 10))
        # TF.js's 'rmsprop': lr 1e-3, rho 0.9, epsilon 1e-7.
        return model, torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7), 128, 2, 0.15, (1, 28, 28)
    if name == 'lstm':
        model = nn.Sequential(LastStep(keras_lstm(28, 128)), dense(128, 10))
        return model, torch.optim.Adam(model.parameters(), lr=5e-4, eps=1e-7), 128, 5, 0, (28, 28)
    raise SystemExit(f'unknown workload {name}')


def blas_library():
    # PyTorch's speed here depends on which libblas.so.3 Debian's alternatives
    # (or LD_LIBRARY_PATH) gave it: reference BLAS, OpenBLAS pthread or OpenMP.
    with open('/proc/self/maps') as maps:
        for line in maps:
            if 'libblas' in line or 'libopenblas' in line:
                return line.split()[-1]
    return 'unknown'


def accuracy(model, x, y, batch=1000):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item() for i in range(0, len(x), batch))
    model.train()
    return correct / len(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('workload')
    p.add_argument('--epochs', type=int)
    p.add_argument('--threads', type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model, opt, batch, epochs, val_fraction, sample_shape = build(args.workload)
    epochs = args.epochs or epochs
    xtr, ytr = load('train')
    xte, yte = load('t10k')
    xtr, xte = xtr.reshape(-1, *sample_shape), xte.reshape(-1, *sample_shape)
    # As Keras's validationSplit: the last fraction of the set, before shuffling.
    n_val = int(len(xtr) * val_fraction)
    xval, yval = xtr[len(xtr) - n_val:], ytr[len(ytr) - n_val:]
    xtr, ytr = xtr[:len(xtr) - n_val], ytr[:len(ytr) - n_val]
    loss_fn = nn.CrossEntropyLoss()
    n = len(xtr)
    val_acc = None
    rates = []
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            loss.item()  # the per-batch loss read a progress bar makes
        if n_val:
            val_acc = accuracy(model, xval, yval)
        rates.append(n / (time.perf_counter() - start))
    acc = accuracy(model, xte, yte)
    sps = statistics.median(rates)
    print(json.dumps({
        'framework': f'pytorch {torch.__version__}', 'blas': blas_library(), 'workload': args.workload, 'threads': args.threads,
        'epochs': epochs, 'batchSize': batch, 'samplesPerSec': round(sps, 1),
        'samplesPerSecByEpoch': [round(r, 1) for r in rates], 'msPerStep': round(1000 * batch / sps, 4),
        'testAccuracy': round(acc, 4), **({'valAccuracy': round(val_acc, 4)} if val_acc is not None else {}), 'peakRssMB': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == '__main__':
    main()
