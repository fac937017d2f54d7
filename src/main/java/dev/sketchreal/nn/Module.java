package dev.sketchreal.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A node of a named parameter tree. Children and parameters are named exactly like the keys of the
 * checkpoint's state dict, so {@code down_blocks.0.resnets.1.conv1.weight} is both a path in this
 * tree and a safetensors key. Modules hold parameters only; per-call state (recorded attention,
 * progress) travels through method arguments so one model can serve many threads.
 */
public abstract class Module {
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();

  /** Declares a parameter of this module. */
  protected final Parameter parameter(String name, Init init, long... shape) {
    Parameter p = new Parameter(new Shape(shape), init);
    if (parameters.putIfAbsent(name, p) != null || children.containsKey(name)) {
      throw new IllegalStateException("duplicate name " + name);
    }
    return p;
  }

  /** Declares a child module. */
  protected final <M extends Module> M child(String name, M module) {
    if (children.putIfAbsent(name, module) != null || parameters.containsKey(name)) {
      throw new IllegalStateException("duplicate name " + name);
    }
    return module;
  }

  public final Map<String, Module> children() {
    return Collections.unmodifiableMap(children);
  }

  /** Every parameter of the subtree, keyed by its dotted path (state-dict order). */
  public final Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect("", out);
    return out;
  }

  private void collect(String prefix, Map<String, Parameter> out) {
    parameters.forEach((name, p) -> out.put(prefix + name, p));
    children.forEach((name, c) -> c.collect(prefix + name + ".", out));
  }

  /** Every module of the subtree keyed by its dotted path ("" for this one). */
  public final Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    collectModules("", out);
    return out;
  }

  private void collectModules(String path, Map<String, Module> out) {
    out.put(path, this);
    children.forEach((name, c) -> c.collectModules(path.isEmpty() ? name : path + "." + name, out));
  }

  /** Total number of scalar parameters. */
  public final long parameterCount() {
    return namedParameters().values().stream().mapToLong(Parameter::size).sum();
  }

  /**
   * Initialises every parameter that has no value yet with its {@link Init}, in state-dict order,
   * from one generator (so the same seed gives the same weights).
   */
  public final void initialize(NDManager manager, SplittableRandom random) {
    for (Parameter p : namedParameters().values()) {
      if (!p.isInitialized()) {
        p.set(p.init().create(manager, p.shape(), random));
      }
    }
  }

  /** Freezes or unfreezes the whole subtree. */
  public final void setTrainable(boolean trainable) {
    namedParameters().values().forEach(p -> p.setTrainable(trainable));
  }
}
