package io.tether.events;

import java.io.Serializable;

/**
 * A node's answer to a command it took off the commands topic, sent back to the node that sent the
 * command once the command was carried out.
 *
 * @param commandId the command's id (the message property {@code commandId})
 * @param node the answering node
 * @param held whether that node held the session (false: it ended or moved meanwhile, nothing was
 *     done); always true for node-wide commands
 */
public record CommandReply(String commandId, String node, boolean held) implements Serializable {}
