// model.summary(): the table TF.js 4.x prints, column for column, so that
// output compared across libraries lines up. Sequential-like models get
// Layer (type) | Input Shape | Output shape | Param #; other graphs add
// "Receives inputs" (layer[node][tensor]) and wider columns.
import { codedError } from '../errors';
import type { Layer, LayerVariable, Node } from '../layers/layer';
import type { LayersModel } from './model';

type PrintFn = (message?: any, ...rest: any[]) => void;

function countParams(weights: LayerVariable[]): number {
  let n = 0;
  for (const w of weights) n += w.shape.reduce((a, b) => a * b, 1);
  return n;
}

/** A chain: one node per depth, each with one inbound layer, and no layer applied twice. */
function isSequentialLike(model: LayersModel): boolean {
  const nodes = new Set<Node>();
  for (const depth of Object.keys(model.nodesByDepth)) {
    const atDepth = model.nodesByDepth[depth];
    if (atDepth.length > 1 || (atDepth.length === 1 && atDepth[0].inboundLayers.length > 1)) return false;
    for (const n of atDepth) nodes.add(n);
  }
  for (const layer of model.layers) {
    if (layer.inboundNodes.filter((n) => nodes.has(n)).length > 1) return false;
  }
  return true;
}

function printRow(fields: string[], positions: number[], printFn: PrintFn): void {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line = line.slice(0, line.length - 1) + ' ';
    line += fields[i];
    line = line.slice(0, positions[i]);
    line += ' '.repeat(positions[i] - line.length);
  }
  printFn(line);
}

function shapesOf(layer: Layer): [string, string] {
  let inputShape: string;
  let outputShape: string;
  try {
    inputShape = layer.inboundNodes.map((n) => JSON.stringify(n.inputShapes)).join(',');
  } catch {
    inputShape = 'multiple';
  }
  try {
    outputShape = JSON.stringify(layer.outputShape);
  } catch {
    outputShape = 'multiple';
  }
  return [inputShape, outputShape];
}

/** Prints the summary table of `model` (TF.js's printSummary). */
export function printSummary(model: LayersModel, lineLength?: number, positions?: number[], printFn: PrintFn = console.log): void {
  if (model.outputs.length === 0) {
    throw codedError('ERR_NOT_BUILT', `${model.name}.summary: the model has not been built yet; give its first layer an inputShape, or call build(inputShape), fit() or predict() first`);
  }
  const sequentialLike = isSequentialLike(model);
  const header = ['Layer (type)', 'Input Shape', 'Output shape', 'Param #'];
  let width: number;
  let pos: number[];
  if (sequentialLike) {
    width = lineLength || 90;
    pos = positions || [0.32, 0.61, 0.89, 1];
  } else {
    width = lineLength || 115;
    pos = positions || [0.24, 0.48, 0.7, 0.8, 1];
    header.push('Receives inputs');
  }
  // Relative positions become absolute columns.
  if (pos[pos.length - 1] <= 1) pos = pos.map((p) => Math.floor(width * p));
  const relevant = new Set<Node>();
  for (const depth of Object.keys(model.nodesByDepth)) for (const n of model.nodesByDepth[depth]) relevant.add(n);

  printFn('_'.repeat(width));
  printRow(header, pos, printFn);
  printFn('='.repeat(width));
  const layers = model.layers;
  layers.forEach((layer, i) => {
    const [inputShape, outputShape] = shapesOf(layer);
    const fields = [`${layer.name} (${layer.getClassName()})`, inputShape, outputShape, layer.countParams().toString()];
    if (sequentialLike) {
      printRow(fields, pos, printFn);
    } else {
      const connections: string[] = [];
      for (const node of layer.inboundNodes) {
        if (relevant.size > 0 && !relevant.has(node)) continue;
        node.inboundLayers.forEach((l, k) => connections.push(`${l.name}[${node.nodeIndices[k]}][${node.tensorIndices[k]}]`));
      }
      printRow([...fields, connections[0] ?? ''], pos, printFn);
      for (let k = 1; k < connections.length; k++) printRow(['', '', '', '', connections[k]], pos, printFn);
    }
    printFn((i === layers.length - 1 ? '=' : '_').repeat(width));
  });

  const collected = model.compiled?.trainableWeights ?? null;
  const current = model.trainableWeights;
  if (collected !== null && (collected.length !== current.length || collected.some((w, k) => w !== current[k]))) {
    console.warn(`${model.name}.summary: the trainable weights changed since compile() (was trainable set without compiling again?); training uses the weights collected at compile()`);
  }
  const trainable = countParams(collected ?? current);
  const nonTrainable = countParams(model.nonTrainableWeights);
  printFn(`Total params: ${trainable + nonTrainable}`);
  printFn(`Trainable params: ${trainable}`);
  printFn(`Non-trainable params: ${nonTrainable}`);
  printFn('_'.repeat(width));
}
