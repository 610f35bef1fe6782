/*
 * The bare-PTY floor for bulk output (bench/run-servers.sh and bench/run-peers.sh; docs/benchmark.md): runs `stty -opost; seq 1 N | cat` on a new PTY (forkpty) and reads the master as fast
 * as the kernel hands the bytes over: a blocking 64 KiB read(2) loop into a buffer faulted in
 * beforehand, no copy, no parsing, no select(2). Timed from just before the fork to the last byte;
 * the bytes are then checked against `seq 1 N` (every number once, in order, a bare \n each).
 *
 * Usage: pty-bulk-floor [--awake] [N]      (N: default 10000000, 78,888,897 bytes)
 *   --awake  hold a 0 us request on the kernel's CPU latency QoS device (/dev/cpu_dma_latency)
 *            while reading, as a Tether node does while a terminal streams
 *            (tether.pty.keep-cpus-awake); without it no request is made.
 *        pty-bulk-floor --hold
 *            only hold that request, until killed (bench/run-peers.sh holds it for a whole pass
 *            of ttyd, Tether and the floor: the kernel takes the least request in force).
 *
 * Prints one line: bytes, seconds, MB/s (10^6 bytes), reads, whether the request was held, the
 * CPU latency target in force before the run (another process may hold one; 2000000000 is the
 * kernel's "none"), and the check's result. Exit status 0 only for an intact run.
 * Build: cc -O2 -o pty-bulk-floor pty-bulk-floor.c -lutil
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE 65536

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The CPU latency target in force (us), or -1 where the device cannot be read. */
static long latency_target(void) {
  int fd = open("/dev/cpu_dma_latency", O_RDONLY);
  int32_t value;
  if (fd < 0) return -1;
  ssize_t n = read(fd, &value, sizeof value);
  close(fd);
  return n == (ssize_t)sizeof value ? (long)value : -1;
}

/* `seq 1 n` into out; returns its length. */
static size_t expected_seq(long n, char *out) {
  size_t len = 0;
  for (long i = 1; i <= n; i++) len += (size_t)sprintf(out + len, "%ld\n", i);
  return len;
}

/* Holds a 0 us CPU latency request until a signal ends the process (the request goes with it). */
static int hold_until_killed(void) {
  int32_t zero = 0;
  int qos = open("/dev/cpu_dma_latency", O_RDWR);
  if (qos < 0 || write(qos, &zero, sizeof zero) != (ssize_t)sizeof zero) {
    perror("/dev/cpu_dma_latency");
    return 1;
  }
  for (;;) pause();
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--hold") == 0) return hold_until_killed();
  int awake = 0;
  long n = 10000000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--awake") == 0) awake = 1;
    else if ((n = strtol(argv[i], NULL, 10)) <= 0 || n > 50000000) {
      fprintf(stderr, "usage: %s [--awake] [N <= 50000000] | --hold\n", argv[0]);
      return 2;
    }
  }
  /* Room for `seq 1 n` and anything else the PTY might carry (at most 9 digits + \n a line). */
  size_t capacity = (size_t)n * 10 + READ_SIZE;
  char *got = malloc(capacity), *want = malloc(capacity);
  if (got == NULL || want == NULL) {
    perror("malloc");
    return 1;
  }
  memset(got, 0, capacity); /* faulted in now, not inside the timed loop */

  char command[128];
  snprintf(command, sizeof command, "stty -opost; seq 1 %ld | cat", n);
  long target_before = latency_target();
  int qos = -1;
  if (awake) {
    int32_t zero = 0;
    qos = open("/dev/cpu_dma_latency", O_RDWR);
    if (qos < 0 || write(qos, &zero, sizeof zero) != (ssize_t)sizeof zero) {
      perror("/dev/cpu_dma_latency");
      return 1;
    }
  }

  struct winsize size = {.ws_row = 24, .ws_col = 80};
  int master;
  double start = now_seconds(), last = start;
  pid_t child = forkpty(&master, NULL, NULL, &size);
  if (child < 0) {
    perror("forkpty");
    return 1;
  }
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
  }
  size_t len = 0;
  long reads = 0;
  for (;;) {
    ssize_t r = read(master, got + len, capacity - len < READ_SIZE ? capacity - len : READ_SIZE);
    if (r > 0) {
      last = now_seconds();
      len += (size_t)r;
      reads++;
      if (len == capacity) break;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break; /* EIO: the slave side is closed and everything was read */
    }
  }
  if (qos >= 0) close(qos);
  close(master);
  int status = 0;
  waitpid(child, &status, 0);

  size_t want_len = expected_seq(n, want);
  int intact = len == want_len && memcmp(got, want, len) == 0;
  double seconds = last - start;
  printf("bulk floor: %zu bytes in %.3f s = %.1f MB/s, %ld reads (%.0f B/read), CPU latency request %s,"
         " target before %ld us, integrity %s\n",
         len, seconds, len / 1e6 / seconds, reads, reads ? (double)len / reads : 0.0,
         awake ? "held" : "not held", target_before, intact ? "ok" : "FAIL");
  return intact ? 0 : 1;
}
