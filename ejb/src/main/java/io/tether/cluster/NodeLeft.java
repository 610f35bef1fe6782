package io.tether.cluster;

/** A CDI event: {@code node} left the cluster (stopped, crashed or declared dead). */
public record NodeLeft(String node) {}
