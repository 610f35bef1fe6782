package io.tether.pty;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start, from configuration only (never from a request).
 *
 * @param command the program and its arguments
 * @param directory the working directory
 * @param environment variables added to the server's own environment
 */
public record ShellSpec(List<String> command, Path directory, Map<String, String> environment) {
  public ShellSpec {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("the shell command is empty");
    }
  }
}
