/**
 * Session lifecycle events (opened, attached, detached, resized, idle-warning, closed) published
 * cluster-wide, and commands addressed to the node that owns a session (kill, notice, detach).
 * State lives in Hazelcast; events and commands travel over JMS: one producer facade and one small
 * consumer bean per topic, every consumer of the same shape ({@link
 * io.tether.events.TopicConsumer}).
 */
package io.tether.events;
