package io.tether.registry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** A registry in this JVM, for unit tests of what drives the registry. */
public final class InMemorySessionRegistry implements SessionRegistry {
  private final Map<String, SessionRecord> records = new ConcurrentHashMap<>();

  /** How many look-ups were made: each would be a call to the cluster. */
  public final AtomicInteger finds = new AtomicInteger();

  private volatile CountDownLatch thawed = new CountDownLatch(0);

  /**
   * From now on a record's read or write waits until {@link #thaw}, as it does for a member that
   * froze holding the record's partition, until the others remove it.
   */
  public void freeze() {
    thawed = new CountDownLatch(1);
  }

  public void thaw() {
    thawed.countDown();
  }

  /** How many reads and writes are waiting for {@link #thaw} now. */
  public final AtomicInteger waiting = new AtomicInteger();

  private void waitIfFrozen() {
    waiting.incrementAndGet();
    try {
      if (!thawed.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the registry stayed frozen for a minute");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the registry was frozen", e);
    } finally {
      waiting.decrementAndGet();
    }
  }

  @Override
  public boolean register(SessionRecord record) {
    waitIfFrozen();
    return records.putIfAbsent(record.id(), record) == null;
  }

  @Override
  public boolean replace(SessionRecord expected, SessionRecord updated) {
    waitIfFrozen();
    return records.replace(expected.id(), expected, updated);
  }

  @Override
  public boolean remove(SessionRecord expected) {
    waitIfFrozen();
    return records.remove(expected.id(), expected);
  }

  @Override
  public Optional<SessionRecord> find(String id) {
    waitIfFrozen();
    finds.incrementAndGet();
    return Optional.ofNullable(records.get(id));
  }

  @Override
  public Collection<SessionRecord> ownedBy(String node) {
    return records.values().stream().filter(r -> r.node().equals(node)).toList();
  }

  @Override
  public long countOwnedBy(String user) {
    return records.values().stream().filter(r -> r.owner().equals(user)).count();
  }

  @Override
  public SessionPage list(SessionQuery query) {
    List<SessionRecord> matching =
        records.values().stream().filter(query::matches).sorted(SessionQuery::compare).toList();
    int from = (int) Math.min(query.offset(), matching.size());
    int to = (int) Math.min((long) from + query.limit(), matching.size());
    return new SessionPage(matching.subList(from, to), matching.size());
  }

  @Override
  public Set<String> nodes() {
    return records.values().stream().map(SessionRecord::node).collect(Collectors.toSet());
  }

  @Override
  public NodeCounts countByNode() {
    return new NodeCounts(
        records.values().stream()
            .collect(Collectors.groupingBy(SessionRecord::node, Collectors.counting())),
        false);
  }
}
