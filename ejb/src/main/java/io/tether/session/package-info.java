/**
 * Terminal sessions on this node: a session owns one shell in a PTY, the output log every client
 * reads from by absolute offset, the per-client input high-water marks, and the attached clients,
 * each with its own cursor and a single writer that respects the flow-control window.
 */
package io.tether.session;
