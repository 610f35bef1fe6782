package io.tether.isolation;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sandboxes made ahead: after a user's session starts, the next one's sandbox is made in the
 * background (its session's group with its limits, joined; the account taken; bubblewrap's
 * namespaces and mounts), and waits, before its shell starts, for a byte on a pipe. The user's next
 * session takes it: the PTY is sized, the byte written, and only then does the shell start, as the
 * account, reading its startup files as they are at that moment. What a session start costs beyond
 * the shell itself is so paid before the user asks for it (see {@code docs/isolation.md}).
 *
 * <p>A spare is made after a user's session starts, for their next one, and when the node expects a
 * session of theirs (it issued them a ticket): then at once, and a session that asks while it is
 * being made waits for it, since starting a sandbox of its own would take as long.
 *
 * <p>At most one spare per user and role, at most {@code max} in all, each for at most {@code
 * lifetime} and only while its user may start a session on the node; a spare goes only to a session
 * of its user and role whose account, groups and shell are still the spare's, under the session id
 * it was made for (its group's name). The node's sweep expires old ones, and {@link #close} kills
 * them all.
 */
final class Spares {
  private static final Logger LOG = Logger.getLogger(Spares.class.getName());
  private static final long CLOSE_WAIT_MILLIS = 10_000;

  /**
   * How long a session waits at most for its spare being made: far longer than making one takes, so
   * only a stuck executor sends the session to a cold start.
   */
  private static final long TAKE_WAIT_MILLIS = 2_000;

  private interface LibC extends Library {
    int mkfifo(String path, int mode);
  }

  private static final LibC LIBC = Native.load("c", LibC.class);

  /** Whose spare: a user's, for a session with or without the admin role (other limits). */
  private record Key(String user, boolean admin) {}

  /** One sandbox made ahead, waiting for {@link #go}. */
  record Spare(
      String sessionId,
      ShellSpec spec,
      Account account,
      List<Integer> groups,
      PtyShell shell,
      FileChannel go,
      long madeNanos) {

    /** Sizes the terminal, then lets the sandbox start the shell. */
    void go(int cols, int rows) throws IOException {
      shell.resize(cols, rows);
      try {
        go.write(ByteBuffer.wrap(new byte[] {1}));
      } finally {
        release();
      }
    }

    void release() {
      try {
        go.close();
      } catch (IOException e) {
        LOG.log(Level.FINE, "cannot close the go pipe of " + sessionId, e);
      }
    }

    /** Kills the sandbox, removes its group, closes the pipe. */
    void discard() {
      release();
      shell.kill();
      shell.close();
    }
  }

  /** What makes a spare: {@link ShellIsolation#spare}. */
  interface Maker {
    Spare make(String sessionId, String user, boolean admin, ShellSpec spec, Path pipe)
        throws IOException;
  }

  /**
   * A spare scheduled to be made, then being made ({@code begun}, set under the lock as its making
   * starts). The flag, not the task's future, tells the two apart: a future's {@code cancel}
   * succeeds on a task that is already running, which goes on all the same.
   */
  private static final class Making {
    final String sessionId;
    final ScheduledFuture<?> task;
    boolean begun; // guarded by the Spares

    Making(String sessionId, ScheduledFuture<?> task) {
      this.sessionId = sessionId;
      this.task = task;
    }
  }

  private final Maker maker;
  private final int max;
  private final long lifetimeNanos;
  private final ScheduledExecutorService executor;
  private final Supplier<String> ids;
  private final Predicate<String> wanted;
  private final Path pipes;
  private final Map<Key, Spare> ready = new HashMap<>(); // guarded by this
  private final Map<Key, Making> making = new HashMap<>(); // guarded by this
  private boolean closed; // guarded by this
  private long taken; // guarded by this

  /**
   * @param ids new session ids
   * @param wanted whether a user may start a session on this node (has one, or a ticket issued
   *     here): a user who may not gets no spare, and loses the one they had
   */
  Spares(
      Maker maker,
      int max,
      Duration lifetime,
      ScheduledExecutorService executor,
      Supplier<String> ids,
      Predicate<String> wanted)
      throws IOException {
    this.maker = maker;
    this.max = max;
    this.lifetimeNanos = lifetime.toNanos();
    this.executor = executor;
    this.ids = ids;
    this.wanted = wanted;
    this.pipes =
        Files.createTempDirectory(
                "tether-spares-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
            .toAbsolutePath(); // each pipe is named here only until its sandbox has it open
  }

  /**
   * A new pipe a spare waits on, open for reading and writing (so neither end ever blocks, and a
   * byte written to it stays until the sandbox, which opens it as it starts, reads it).
   */
  static FileChannel pipe(Path path) throws IOException {
    if (LIBC.mkfifo(path.toString(), 0600) != 0) {
      throw new IOException("mkfifo " + path + " failed: errno " + Native.getLastError());
    }
    return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /**
   * The session id of the spare waiting for {@code user}'s next session in this role, or being made
   * for it now (not one scheduled for later), if any.
   */
  synchronized Optional<String> sessionIdFor(String user, boolean admin) {
    Key key = new Key(user, admin);
    Spare spare = ready.get(key);
    if (spare != null) {
      return expired(spare) || !spare.shell().shellAlive()
          ? Optional.empty()
          : Optional.of(spare.sessionId());
    }
    Making being = making.get(key);
    return being == null || being.task.getDelay(TimeUnit.NANOSECONDS) > 0
        ? Optional.empty()
        : Optional.of(being.sessionId);
  }

  /**
   * The spare made for session {@code sessionId} of {@code user} in this role, started: if there is
   * one, and its account, groups and shell are still the ones given; null otherwise (a spare that
   * no longer fits is killed first, so that its session id and group are free).
   */
  PtyShell take(
      String sessionId,
      String user,
      boolean admin,
      ShellSpec spec,
      Account account,
      List<Integer> groups,
      int cols,
      int rows)
      throws IOException {
    Key key = new Key(user, admin);
    Spare spare;
    synchronized (this) {
      awaitMade(key, sessionId);
      spare = ready.get(key);
      if (spare == null || !spare.sessionId().equals(sessionId)) {
        return null;
      }
      ready.remove(key);
    }
    if (expired(spare)
        || !spare.account().equals(account)
        || !spare.groups().equals(groups)
        || !spare.spec().equals(spec)
        || !spare.shell().shellAlive()) {
      LOG.fine(() -> "session " + sessionId + ": the spare sandbox no longer fits; discarded");
      spare.discard();
      return null;
    }
    try {
      spare.go(cols, rows);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "session " + sessionId + ": the spare sandbox did not start", e);
      spare.discard();
      return null;
    }
    synchronized (this) {
      taken++;
    }
    return spare.shell();
  }

  /** While the spare for {@code sessionId} is being made, waits for it (a while). */
  private void awaitMade(Key key, String sessionId) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TAKE_WAIT_MILLIS);
    try {
      for (Making being = making.get(key);
          being != null && being.sessionId.equals(sessionId);
          being = making.get(key)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warning(() -> "session " + sessionId + ": its spare sandbox took too long to make");
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left); // make() notifies
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Makes {@code user}'s next spare in this role {@code delay} from now, unless one is there or
   * being made.
   */
  synchronized void replenish(String user, boolean admin, ShellSpec spec, Duration delay) {
    Key key = new Key(user, admin);
    Making later = making.get(key);
    if (later != null
        && !later.begun
        && later.task.getDelay(TimeUnit.NANOSECONDS) > delay.toNanos()
        && later.task.cancel(false)) {
      making.remove(key); // not begun: it is made sooner, below
    }
    if (closed
        || ready.containsKey(key)
        || making.containsKey(key)
        || ready.size() + making.size() >= max) {
      return;
    }
    String sessionId = ids.get();
    try {
      ScheduledFuture<?> task =
          executor.schedule(
              () -> make(key, sessionId, spec), delay.toNanos(), TimeUnit.NANOSECONDS);
      making.put(key, new Making(sessionId, task));
    } catch (RejectedExecutionException e) {
      LOG.log(Level.FINE, "no spare sandbox: the node is stopping", e);
    }
  }

  private void make(Key key, String sessionId, ShellSpec spec) {
    synchronized (this) {
      Making being = making.get(key);
      if (being == null || !being.sessionId.equals(sessionId)) {
        return; // called off before it began: the node is closing
      }
      being.begun = true; // from now on, close() waits for it
    }
    Spare spare = null;
    try {
      if (wanted.test(key.user())) { // (a session that ended at once wants no next one)
        spare = maker.make(sessionId, key.user(), key.admin(), spec, pipes.resolve(sessionId));
      }
    } catch (IOException | RuntimeException e) {
      // (While the node stops, what the spare asks of the node may be gone: nothing to report.)
      LOG.log(
          isClosed() ? Level.FINE : Level.WARNING,
          "could not make a spare sandbox for " + key.user(),
          e);
    }
    synchronized (this) {
      if (spare != null && !closed && !ready.containsKey(key) && wanted.test(key.user())) {
        ready.put(key, spare);
        spare = null;
      }
    }
    try {
      if (spare != null) {
        spare.discard();
      }
    } finally {
      // Only now is it no longer being made: close() returns once the unwanted spare is killed,
      // while the application that made it is still there to kill it.
      synchronized (this) {
        making.remove(key);
        notifyAll();
      }
    }
  }

  /**
   * Kills {@code user}'s spares unless they still have a session here: called, on the executor,
   * when one of their sessions has ended. (A spare being made meanwhile asks again once made.)
   */
  void sessionEnded(String user) {
    try {
      executor.execute(
          () -> {
            synchronized (this) {
              if (!wanted.test(user)) {
                for (boolean admin : new boolean[] {false, true}) {
                  Spare spare = ready.remove(new Key(user, admin));
                  if (spare != null) {
                    spare.discard();
                  }
                }
              }
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.log(Level.FINE, "the node is stopping: its spares go with it", e);
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /** Whether {@code sessionId} is the group of a spare, waiting or being made. */
  synchronized boolean holds(String sessionId) {
    return ready.values().stream().anyMatch(s -> s.sessionId().equals(sessionId))
        || making.values().stream().anyMatch(m -> m.sessionId.equals(sessionId));
  }

  /** The session ids of the spares waiting now. */
  synchronized List<String> waiting() {
    return ready.values().stream().map(Spare::sessionId).toList();
  }

  /** How many sessions started from a spare. */
  synchronized long taken() {
    return taken;
  }

  /**
   * Kills the spares older than their lifetime, whose sandbox died, or whose user may no longer
   * start a session here (their ticket expired unused). Under this object's lock, so that a session
   * about to take one of them finds it either there or gone with its group.
   *
   * @return how many
   */
  synchronized int expire() {
    List<Key> old = new ArrayList<>();
    ready.forEach(
        (key, spare) -> {
          if (expired(spare) || !spare.shell().shellAlive() || !wanted.test(key.user())) {
            old.add(key);
          }
        });
    old.forEach(key -> ready.remove(key).discard());
    return old.size();
  }

  private boolean expired(Spare spare) {
    return System.nanoTime() - spare.madeNanos() > lifetimeNanos;
  }

  /**
   * Makes no more spares, kills the waiting ones and removes their groups, and waits (a while) for
   * those being made, which then kill themselves. (Undeploying: a making left to finish after this
   * returned would do so in an application being taken apart, and what it made could outlive it.)
   */
  void close() {
    synchronized (this) {
      closed = true;
      ready.values().forEach(Spare::discard);
      ready.clear();
      // Not yet begun: called off (should its task still run, it finds itself gone).
      making
          .values()
          .removeIf(
              m -> {
                if (m.begun) {
                  return false;
                }
                m.task.cancel(false);
                return true;
              });
      long deadline = System.currentTimeMillis() + CLOSE_WAIT_MILLIS;
      try {
        while (!making.isEmpty() && System.currentTimeMillis() < deadline) {
          wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Files.deleteIfExists(pipes);
    } catch (IOException e) {
      LOG.log(Level.FINE, "cannot remove " + pipes, e);
    }
  }
}
