package io.tether.events;

import java.util.Map;
import java.util.Set;

/**
 * What became of a command: what each node that answered said, and which nodes did not answer in
 * time (the command may or may not have reached them).
 *
 * @param held per answering node: whether it held the session the command was for
 * @param silent the nodes that did not answer in time
 */
public record CommandOutcome(Map<String, Boolean> held, Set<String> silent) {
  /** Every node the command was for answered. */
  public boolean confirmed() {
    return silent.isEmpty();
  }

  /** Some node that answered held the session (and so carried the command out). */
  public boolean done() {
    return held.containsValue(true);
  }
}
