/**
 * Session lifecycle events (opened, attached, detached, resized, idle-warning, closed) published
 * cluster-wide, and commands addressed to the node that owns a session (kill, notice, detach),
 * which that node confirms on a replies topic once it carried them out ({@link
 * io.tether.events.SessionCommands} waits for the confirmation). State lives in Hazelcast; events
 * and commands travel over JMS: one producer facade and one small consumer bean per topic, every
 * consumer of the same shape ({@link io.tether.events.TopicConsumer}).
 */
package io.tether.events;
