/*
 * The bare-PTY bulk floor of bench/run-peers.sh: runs `stty -opost; seq 1 N | cat` (the harness's
 * bulk command) on a new PTY and reads the master as fast as the kernel hands it over (a blocking
 * 64 KiB read loop, no server, no copy beyond the read), then checks that every byte came (the
 * length of `seq 1 N`, with nothing but the command's own output on the terminal).
 *
 *   bare-pty bulk N ROUNDS [hold]   prints one line per round and the median, in MB/s; with
 *                                   "hold", a 0 us CPU latency request is held on
 *                                   /dev/cpu_dma_latency while it reads
 *   bare-pty hold                   holds that request until it is killed (for a whole pass of
 *                                   the harness; the kernel takes the least request in force)
 *
 * Built by run-peers.sh with `cc -O2`; needs libutil's forkpty.
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int hold_request(void) {
  int fd = open("/dev/cpu_dma_latency", O_WRONLY);
  int32_t zero = 0;
  if (fd < 0 || write(fd, &zero, sizeof zero) != sizeof zero) {
    perror("bare-pty: /dev/cpu_dma_latency");
    exit(2);
  }
  return fd; /* held while open */
}

/* The length of `seq 1 n`'s output: every number's digits and a newline. */
static long long seq_bytes(long long n) {
  long long total = 0, low = 1, digits = 1;
  while (low <= n) {
    long long high = low * 10 - 1 < n ? low * 10 - 1 : n;
    total += (high - low + 1) * (digits + 1);
    low *= 10;
    digits++;
  }
  return total;
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static double one_round(long long n) {
  static char buffer[64 * 1024];
  char command[128];
  snprintf(command, sizeof command, "stty -opost; seq 1 %lld | cat", n);
  struct winsize size = {.ws_row = 24, .ws_col = 80};
  int master;
  double start = now_seconds();
  pid_t child = forkpty(&master, NULL, NULL, &size);
  if (child < 0) {
    perror("bare-pty: forkpty");
    exit(2);
  }
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
  }
  long long got = 0;
  for (;;) {
    ssize_t r = read(master, buffer, sizeof buffer);
    if (r > 0) {
      got += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break; /* EIO: the command has ended and every byte was read */
    }
  }
  double seconds = now_seconds() - start;
  close(master);
  waitpid(child, NULL, 0);
  if (got != seq_bytes(n)) {
    fprintf(stderr, "bare-pty: read %lld bytes, expected %lld\n", got, seq_bytes(n));
    exit(1);
  }
  return got / 1e6 / seconds;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "hold") == 0) {
    hold_request();
    for (;;) {
      pause(); /* until a signal ends it; the request goes with the process */
    }
  }
  if (argc < 4 || strcmp(argv[1], "bulk") != 0) {
    fprintf(stderr, "usage: bare-pty bulk N ROUNDS [hold] | bare-pty hold\n");
    return 2;
  }
  long long n = atoll(argv[2]);
  int rounds = atoi(argv[3]);
  int hold = argc > 4 && strcmp(argv[4], "hold") == 0;
  if (n <= 0 || rounds <= 0 || rounds > 100) {
    fprintf(stderr, "bare-pty: N and ROUNDS (1-100) must be positive\n");
    return 2;
  }
  int held = hold ? hold_request() : -1;
  double mbps[100];
  for (int i = 0; i < rounds; i++) {
    mbps[i] = one_round(n);
    printf("bare PTY bulk round %d: %.1f MB/s (ok)\n", i + 1, mbps[i]);
    fflush(stdout);
  }
  if (held >= 0) {
    close(held);
  }
  qsort(mbps, rounds, sizeof mbps[0], compare);
  double median =
      rounds % 2 ? mbps[rounds / 2] : (mbps[rounds / 2 - 1] + mbps[rounds / 2]) / 2;
  printf("bare PTY bulk [MB/s], CPU latency request %s: median %.1f over %d rounds\n",
         hold ? "held" : "off", median, rounds);
  return 0;
}
