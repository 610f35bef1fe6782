package io.tether.pty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session's cgroup count of OOM kills, read from the kernel's files as they are laid out. */
class SessionCgroupTest {
  @TempDir Path dir;

  private SessionCgroup group(Cgroups.Version version) {
    return new SessionCgroup(version, List.of(dir, dir), "s", 64, 128L << 20, List.of());
  }

  @Test
  void theOomKillCountIsReadFromEitherVersionsFile() throws Exception {
    assertEquals(0, group(Cgroups.Version.V2).oomKills(), "no file: the group is gone");
    Files.writeString(
        dir.resolve("memory.events"),
        "low 0\nhigh 0\nmax 41\noom 3\noom_kill 2\noom_group_kill 1\n");
    assertEquals(2, group(Cgroups.Version.V2).oomKills());
    Files.writeString(dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");
    assertEquals(0, group(Cgroups.Version.V1).oomKills(), "an older kernel without the count");
    Files.writeString(
        dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 1\noom_kill 17\n");
    assertEquals(17, group(Cgroups.Version.V1).oomKills());
  }

  /**
   * One thread reads every isolated session's count every 2 s (ShellExits): at 2,000 sessions a
   * thousand reads a second, so a read must leave next to no garbage behind.
   */
  @Test
  void readingTheCountLeavesLittleGarbage() throws Exception {
    Files.writeString(
        dir.resolve("memory.events"),
        "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
    SessionCgroup group = group(Cgroups.Version.V2);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 1000; i++) {
      group.oomKills(); // warm up: what the JIT compiles away counts for nothing below
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1000; i++) {
      group.oomKills();
    }
    long perRead = (threads.getCurrentThreadAllocatedBytes() - before) / 1000;
    assertTrue(perRead < 4096, perRead + " bytes allocated per read");
  }
}
