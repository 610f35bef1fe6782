package io.tether.pty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What runs in the foreground of a shell's terminal, as the admin console shows it ("vim
 * notes.txt", or the shell itself while it waits at the prompt). Read from Linux's /proc: the
 * shell's stat names the terminal's foreground process group, whose leader's cmdline is the
 * command. Best effort: a process that is gone between the two reads gives the shell's own command,
 * and a failure gives an empty string, never an error.
 */
public final class ForegroundCommand {
  static final int MAX_LENGTH = 200;
  private static final Path PROC = Path.of("/proc");

  private ForegroundCommand() {}

  /** The foreground command of the terminal whose session leader is {@code shellPid}. */
  public static String of(long shellPid) {
    long group = foregroundGroup(shellPid);
    String command = group > 0 ? commandLine(group) : "";
    return command.isEmpty() ? commandLine(shellPid) : command;
  }

  /** Field 8 of /proc/PID/stat, tpgid; -1 when unknown. */
  static long foregroundGroup(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.UTF_8);
      // "pid (comm) state ppid pgrp session tty_nr tpgid ...": comm may hold spaces and parens.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[5]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** /proc/PID/cmdline with its NUL separators as spaces, cut to {@value #MAX_LENGTH} chars. */
  static String commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(pid + "/cmdline"));
      String command = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
      return command.length() <= MAX_LENGTH ? command : command.substring(0, MAX_LENGTH - 1) + "…";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
