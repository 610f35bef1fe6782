package io.tether.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time from /proc (Linux): of the server JVM, of this JVM and of the whole machine, so a bulk
 * run can tell which side was busy. Clock ticks are 1/100 s on Linux x86-64.
 */
final class CpuMeter {
  private static final double TICK_SECONDS = 0.01;

  /**
   * CPU seconds used so far: server JVM, this JVM, the machine (busy, all cores), the server JVM's
   * threads by "tid name"; wall clock.
   */
  record Sample(
      double server,
      double self,
      double machineBusy,
      Map<String, Double> serverThreads,
      long nanos) {
    /** The server threads that used the most CPU since {@code before}, as % of one core. */
    String busiestServerThreads(Sample before, int count) {
      double wall = (nanos - before.nanos) / 1e9;
      List<Map.Entry<String, Double>> used = new ArrayList<>();
      for (Map.Entry<String, Double> e : serverThreads.entrySet()) {
        double delta = e.getValue() - before.serverThreads.getOrDefault(e.getKey(), 0.0);
        if (delta > 0) {
          used.add(Map.entry(e.getKey().substring(e.getKey().indexOf(' ') + 1), delta));
        }
      }
      used.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
      StringBuilder s = new StringBuilder("busiest server threads:");
      for (int i = 0; i < Math.min(count, used.size()); i++) {
        s.append(
            String.format(" %s %.0f%%", used.get(i).getKey(), 100 * used.get(i).getValue() / wall));
        s.append(i + 1 < Math.min(count, used.size()) ? "," : "");
      }
      return s.toString();
    }

    /** The server JVM's CPU since {@code before}, as % of one core. */
    double serverPercent(Sample before) {
      double wall = (nanos - before.nanos) / 1e9;
      return wall <= 0 ? Double.NaN : 100 * (server - before.server) / wall;
    }

    /** Each figure as a percentage of one core over the interval since {@code before}. */
    String since(Sample before, int cores) {
      double wall = (nanos - before.nanos) / 1e9;
      if (wall <= 0) {
        return "";
      }
      return String.format(
          "CPU (%% of one core): server JVM %.0f%%, benchmark JVM %.0f%%, whole machine %.0f%% of %d00%%",
          100 * (server - before.server) / wall,
          100 * (self - before.self) / wall,
          100 * (machineBusy - before.machineBusy) / wall,
          cores);
    }
  }

  private final long serverPid;

  CpuMeter(long serverPid) {
    this.serverPid = serverPid;
  }

  Sample sample() {
    return new Sample(
        serverPid > 0 ? processSeconds(serverPid) : Double.NaN,
        processSeconds(ProcessHandle.current().pid()),
        machineBusySeconds(),
        serverPid > 0 ? threadSeconds(serverPid) : Map.of(),
        System.nanoTime());
  }

  /** utime + stime of a process (fields 14 and 15 of /proc/PID/stat). */
  private static double processSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After "pid (comm) ", field 3 (state) is f[0], so field N is f[N - 3].
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_SECONDS;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** utime + stime of each thread of a process, keyed by "tid name". */
  private static Map<String, Double> threadSeconds(long pid) {
    Map<String, Double> threads = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          threads.put(
              task.getFileName() + " " + name,
              (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_SECONDS);
        } catch (IOException | RuntimeException e) {
          // The thread ended meanwhile.
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return threads;
  }

  /** All non-idle time of the machine (first line of /proc/stat, minus idle and iowait). */
  private static double machineBusySeconds() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return (total - idle) * TICK_SECONDS;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
