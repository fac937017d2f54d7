package dev.sketchreal.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The policy for bad data. With {@code skipBad == false} (the default) a problem is rethrown; with
 * {@code skipBad == true} it is counted and remembered so it can be reported, never dropped
 * silently. Thread-safe.
 */
public final class SkipLog {
  private static final int KEPT_MESSAGES = 20;
  private final boolean skipBad;
  private final List<String> messages = new ArrayList<>();
  private int count;

  public SkipLog(boolean skipBad) {
    this.skipBad = skipBad;
  }

  public boolean skipBad() {
    return skipBad;
  }

  /** Rethrows {@code e} unless skipping is on; then records it. */
  public synchronized void handle(DataException e) {
    if (!skipBad) {
      throw e;
    }
    count++;
    if (messages.size() < KEPT_MESSAGES) {
      messages.add(e.getMessage());
    }
  }

  public synchronized int count() {
    return count;
  }

  /** The first messages (up to 20). */
  public synchronized List<String> messages() {
    return List.copyOf(messages);
  }

  /** One line per kept message, headed by the count; empty when nothing was skipped. */
  public synchronized String report() {
    if (count == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder("skipped " + count + " bad sample(s):");
    for (String m : messages) {
      sb.append("\n  ").append(m);
    }
    if (count > messages.size()) {
      sb.append("\n  ... and ").append(count - messages.size()).append(" more");
    }
    return sb.toString();
  }
}
