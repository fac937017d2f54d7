package dev.sketchreal.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Children named "0", "1", ... like {@code torch.nn.ModuleList}. */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
  private final List<M> items = new ArrayList<>();

  public <T extends M> T add(T module) {
    child(Integer.toString(items.size()), module);
    items.add(module);
    return module;
  }

  public M get(int index) {
    return items.get(index);
  }

  public int size() {
    return items.size();
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  @Override
  public Iterator<M> iterator() {
    return items.iterator();
  }
}
