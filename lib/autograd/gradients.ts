// Reverse-mode autodiff over the tape that runOp fills. The public gradient
// functions (grad, grads, valueAndGrad(s), variableGrads, customGrad) are
// thin wrappers around `gradients`.
import { codedError, typeError } from '../errors';
import { endScope, engine, startScope, Tape } from '../tensor/engine';
import { Tensor, Variable } from '../tensor/tensor';
import { add } from '../ops/elementwise';
import { onesLike, zerosLike } from '../ops/creation';
import { tidy, dispose } from '../tensor/scope';

/**
 * Runs f while recording, then walks the tape backwards from its result.
 * Returns f's value and d value / d xs[i] (zeros for an x f does not use).
 */
export function gradients(fn: string, f: () => Tensor, xs: Tensor[], dy?: Tensor | null): { value: Tensor; grads: Tensor[] } {
  const tape: Tape = { nodes: [], reachable: new Set(xs.map((x) => x.id)), held: new Set() };
  engine.tapes.push(tape);
  let value: Tensor;
  startScope('gradients');
  const keep = new Set<Tensor>();
  try {
    try {
      value = f();
    } finally {
      engine.tapes.pop();
    }
    if (!(value instanceof Tensor)) throw typeError(fn, 'f', 'a function returning a tensor', value);
    keep.add(value);
    if (dy != null && (dy.shape.length !== value.shape.length || dy.shape.some((d, i) => d !== value.shape[i]))) {
      throw codedError('ERR_SHAPE_MISMATCH', `${fn}: dy has shape [${dy.shape.join(',')}] but f returned shape [${value.shape.join(',')}]`);
    }
    const grads = new Map<number, Tensor>();
    grads.set(value.id, dy ?? onesLike(value));
    for (let i = tape.nodes.length - 1; i >= 0; i--) {
      const node = tape.nodes[i];
      let any = false;
      const dys = node.outputs.map((o) => {
        const g = grads.get(o.id);
        if (g) any = true;
        return g;
      });
      if (!any) continue;
      const dxs = node.backward(dys.map((g, k) => g ?? zerosLike(node.outputs[k])));
      node.inputs.forEach((input, k) => {
        const g = dxs[k];
        if (!g || !tape.reachable.has(input.id)) return;
        const prev = grads.get(input.id);
        grads.set(input.id, prev ? add(prev, g) : g);
      });
    }
    const result = xs.map((x) => grads.get(x.id) ?? zerosLike(x));
    for (const r of result) keep.add(r);
    return { value: value!, grads: result };
  } finally {
    // Under an outer tape (a gradient of a gradient) the intermediates are
    // inputs of recorded nodes: the enclosing scope must own and free them.
    endScope(engine.tapes.length ? 'all' : keep);
  }
}

function checkF(fn: string, f: unknown): void {
  if (typeof f !== 'function') throw typeError(fn, 'f', 'a function', f);
}

/** d f(x) / dx as a function of x. `tf.grad(x => x.square())(tf.scalar(3))` → 6. */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  checkF('grad', f);
  return (x, dy) => {
    const { value, grads } = gradients('grad', () => f(x), [x], dy);
    value.dispose();
    return grads[0];
  };
}

/** Gradients with respect to every argument. */
export function grads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => Tensor[] {
  checkF('grads', f);
  return (args, dy) => {
    const { value, grads: g } = gradients('grads', () => f(...args), args, dy);
    value.dispose();
    return g;
  };
}

export function valueAndGrad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => { value: Tensor; grad: Tensor } {
  checkF('valueAndGrad', f);
  return (x, dy) => {
    const { value, grads: g } = gradients('valueAndGrad', () => f(x), [x], dy);
    return { value, grad: g[0] };
  };
}

export function valueAndGrads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => { value: Tensor; grads: Tensor[] } {
  checkF('valueAndGrads', f);
  return (args, dy) => gradients('valueAndGrads', () => f(...args), args, dy);
}

export type NamedTensorMap = { [name: string]: Tensor };

/**
 * Gradients of f with respect to variables: `varList`, or every trainable
 * variable. f must return a scalar.
 */
export function variableGrads(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: NamedTensorMap } {
  checkF('variableGrads', f);
  const vars = varList ?? [...engine.variables.values()].filter((v) => v.trainable && !v.isDisposed);
  if (varList !== undefined) {
    if (!Array.isArray(varList) || !varList.every((v) => v instanceof Variable)) throw typeError('variableGrads', 'varList', 'an array of variables', varList);
  }
  const { value, grads: g } = gradients('variableGrads', () => {
    const y = f();
    if (y instanceof Tensor && y.rank !== 0) throw codedError('ERR_SHAPE_MISMATCH', `variableGrads: f must return a scalar but returned shape [${y.shape.join(',')}]`);
    return y;
  }, vars);
  const named: NamedTensorMap = {};
  vars.forEach((v, i) => (named[v.name] = g[i]));
  return { value, grads: named };
}

/**
 * A function with its own gradient: f returns {value, gradFunc(dy, saved)};
 * `save` keeps tensors for gradFunc. As TF.js's tf.customGrad.
 */
export function customGrad(
  f: (...args: any[]) => { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[] },
): (...args: Tensor[]) => Tensor {
  checkF('customGrad', f);
  return (...inputs: Tensor[]) => {
    const saved: Tensor[] = [];
    const save = (ts: Tensor[]) => saved.push(...ts);
    // The inner computation is replaced by gradFunc: run it with tapes paused.
    const tapes = engine.tapes.splice(0);
    let res: { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[] };
    try {
      res = f(...inputs, save);
    } finally {
      engine.tapes.push(...tapes);
    }
    const value = res.value;
    for (const tape of engine.tapes) {
      const needs = inputs.map((t) => tape.reachable.has(t.id));
      if (!needs.some(Boolean)) continue;
      tape.nodes.push({
        inputs,
        outputs: [value],
        backward: ([dy]) => {
          const g = res.gradFunc(dy, saved);
          return Array.isArray(g) ? g : [g];
        },
      });
      tape.reachable.add(value.id);
      for (const t of [...inputs, value, ...saved]) tape.held.add(t.id);
    }
    return value;
  };
}

export { tidy, dispose };
