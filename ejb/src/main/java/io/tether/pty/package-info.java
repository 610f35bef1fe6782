/**
 * Shells in pseudo-terminals, started without forking the JVM, and ending them for good: a
 * session's whole process group and every descendant get SIGHUP, then SIGKILL after a grace period.
 */
package io.tether.pty;
