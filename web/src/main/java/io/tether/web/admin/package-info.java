/**
 * The admin API under {@code /tether/api/admin} (role {@code admin} only, in {@code web.xml} and
 * again in code): this node's recent session events as a list and as a server-sent event stream fed
 * by the lifecycle topic, and commands for any session of the cluster (kill, notice, detach), sent
 * over JMS to the node that owns it.
 */
package io.tether.web.admin;
