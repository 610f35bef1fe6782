/**
 * Each user's shell is theirs alone: the operating-system account a Tether user's shell runs as
 * ({@link io.tether.isolation.AccountMapping}), the sandbox it runs in ({@link
 * io.tether.isolation.Sandbox}: setpriv and bubblewrap) and the session's control group with its
 * limits ({@link io.tether.pty.Cgroups}). Sits on config and pty; session calls it to start a
 * shell.
 */
package io.tether.isolation;
