/**
 * Work handed from threads that must not wait (a connection's I/O thread, a session's hello) to
 * worker threads, in order: {@link io.tether.work.InOrder} on {@link io.tether.work.Workers}.
 */
package io.tether.work;
