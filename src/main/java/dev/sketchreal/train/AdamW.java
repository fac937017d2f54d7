package dev.sketchreal.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov & Hutter; the update of {@code torch.optim.AdamW}) on our own {@link
 * Parameter}s, with its whole state exposed so that a checkpoint restores it exactly (DJL's
 * optimizers keep private state). Per step t, for each parameter p with gradient g:
 *
 * <pre>
 *   p ← p · (1 − lr·wd)                                  decoupled weight decay
 *   m ← β1·m + (1 − β1)·g ;  v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
 * </pre>
 *
 * Parameter groups carry their own learning rate and weight decay (e.g. 1e-4 for the modulation
 * network, 1e-5 for the sketch encoder's last layers). Updates are in place and run outside any
 * gradient collector; {@link #step} zeroes the gradients afterwards (libtorch accumulates them).
 */
public final class AdamW {
  private final NDManager manager;
  private final List<Group> groups;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final Map<String, Double> learningRates = new LinkedHashMap<>();
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long step;

  /**
   * A parameter group.
   *
   * @param name unique group name; state keys are {@code <group>.<parameter name>}
   * @param parameters trainable parameters by name
   * @param learningRate base learning rate
   * @param weightDecay decoupled weight-decay coefficient
   */
  public record Group(
      String name, Map<String, Parameter> parameters, double learningRate, double weightDecay) {
    public Group {
      parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
      if (name.isEmpty() || name.contains(".")) {
        throw new IllegalArgumentException("group name must be non-empty without '.': " + name);
      }
      if (!(learningRate >= 0) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException("learning rate and weight decay must be >= 0");
      }
    }

    /** Every trainable parameter of a module. */
    public static Group of(String name, Module module, double learningRate, double weightDecay) {
      Map<String, Parameter> trainable = new LinkedHashMap<>();
      module
          .namedParameters()
          .forEach(
              (k, p) -> {
                if (p.isTrainable()) {
                  trainable.put(k, p);
                }
              });
      return new Group(name, trainable, learningRate, weightDecay);
    }
  }

  /** torch defaults: β = (0.9, 0.999), eps = 1e-8. */
  public AdamW(NDManager manager, List<Group> groups) {
    this(manager, groups, 0.9, 0.999, 1e-8);
  }

  /**
   * @param manager owns the optimizer state (m and v), created here as zeros
   */
  public AdamW(NDManager manager, List<Group> groups, double beta1, double beta2, double eps) {
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) {
      throw new IllegalArgumentException("need 0 <= beta < 1 and eps > 0");
    }
    this.manager = manager;
    this.groups = List.copyOf(groups);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    for (Group g : this.groups) {
      if (learningRates.put(g.name(), g.learningRate()) != null) {
        throw new IllegalArgumentException("duplicate group " + g.name());
      }
      g.parameters().forEach((name, p) -> register(g.name() + "." + name, p));
    }
  }

  private void register(String key, Parameter p) {
    if (!p.isTrainable()) {
      throw new IllegalArgumentException("parameter " + key + " is frozen");
    }
    if (parameters.values().stream().anyMatch(q -> q == p)) {
      throw new IllegalArgumentException("parameter " + key + " is in two groups");
    }
    parameters.put(key, p);
    expAvg.put(key, manager.zeros(p.shape(), DataType.FLOAT32));
    expAvgSq.put(key, manager.zeros(p.shape(), DataType.FLOAT32));
  }

  /** Steps taken so far (t of the bias correction of the last step). */
  public long stepCount() {
    return step;
  }

  public List<Group> groups() {
    return groups;
  }

  /** Every optimised parameter keyed {@code <group>.<name>}. */
  public Map<String, Parameter> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /** Current learning rate of a group (the base rate unless a schedule changed it). */
  public double learningRate(String group) {
    Double lr = learningRates.get(group);
    if (lr == null) {
      throw new IllegalArgumentException(
          "no group " + group + "; groups: " + learningRates.keySet());
    }
    return lr;
  }

  public void setLearningRate(String group, double lr) {
    learningRate(group);
    learningRates.put(group, lr);
  }

  /** Current learning rates by group. */
  public Map<String, Double> learningRates() {
    return Collections.unmodifiableMap(learningRates);
  }

  /** One update from the accumulated gradients, then zeroes them. */
  public void step() {
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
    try (NDManager tmp = manager.newSubManager()) {
      for (Group g : groups) {
        double lr = learningRates.get(g.name());
        for (String name : g.parameters().keySet()) {
          String key = g.name() + "." + name;
          update(tmp, key, lr, g.weightDecay(), bc1, bc2Sqrt);
        }
      }
    }
    zeroGradients();
  }

  private void update(
      NDManager tmp, String key, double lr, double weightDecay, double bc1, double bc2Sqrt) {
    NDArray w = parameters.get(key).array();
    NDArray grad = own(tmp, w.getGradient());
    NDArray m = expAvg.get(key);
    NDArray v = expAvgSq.get(key);
    if (weightDecay != 0) {
      w.muli((float) (1 - lr * weightDecay));
    }
    m.muli((float) beta1).addi(own(tmp, grad.mul((float) (1 - beta1))));
    v.muli((float) beta2).addi(own(tmp, grad.mul(grad).mul((float) (1 - beta2))));
    NDArray denom = own(tmp, v.sqrt()).divi((float) bc2Sqrt).addi((float) eps);
    NDArray update = own(tmp, m.div(denom)).muli((float) (lr / bc1));
    w.subi(update);
  }

  /** Sets every optimised parameter's gradient to zero. */
  public void zeroGradients() {
    try (NDManager tmp = manager.newSubManager()) {
      for (Parameter p : parameters.values()) {
        NDArray grad = own(tmp, p.array().getGradient());
        grad.subi(grad);
      }
    }
  }

  /**
   * The full state: {@code step} (int64, shape (1)), {@code exp_avg.<key>} and {@code
   * exp_avg_sq.<key>} (float32, parameter shapes). The arrays are the live state: write them out
   * before the next step.
   */
  public Map<String, NDArray> state() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("step", stepArray());
    expAvg.forEach((k, a) -> out.put("exp_avg." + k, a));
    expAvgSq.forEach((k, a) -> out.put("exp_avg_sq." + k, a));
    return out;
  }

  private NDArray stepArray() {
    return manager.create(new long[] {step}, new Shape(1));
  }

  /** Restores a {@link #state()}; the keys must match this optimizer's exactly. */
  public void load(Map<String, NDArray> state) {
    Map<String, NDArray> mine = state();
    if (!mine.keySet().equals(state.keySet())) {
      List<String> missing = new ArrayList<>(mine.keySet());
      missing.removeAll(state.keySet());
      List<String> unexpected = new ArrayList<>(state.keySet());
      unexpected.removeAll(mine.keySet());
      throw new IllegalArgumentException(
          "optimizer state mismatch: missing " + missing + ", unexpected " + unexpected);
    }
    for (var e : state.entrySet()) {
      if (e.getKey().equals("step")) {
        continue;
      }
      NDArray target = mine.get(e.getKey());
      if (!target.getShape().equals(e.getValue().getShape())) {
        throw new IllegalArgumentException(
            "optimizer state "
                + e.getKey()
                + " has shape "
                + e.getValue().getShape()
                + ", expected "
                + target.getShape());
      }
      target.set(e.getValue().toType(DataType.FLOAT32, false).toFloatArray());
    }
    step = state.get("step").toType(DataType.INT64, false).getLong(0);
    mine.get("step").close();
  }

  private static NDArray own(NDManager tmp, NDArray array) {
    array.attach(tmp);
    return array;
  }
}
