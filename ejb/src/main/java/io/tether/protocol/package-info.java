/**
 * Tether wire protocol v1 (normative text: {@code docs/protocol.md}): offset-prefixed binary
 * frames, the JSON control messages, the close codes, and the limits. Plain Java, no container
 * needed, so the terminal endpoint, the relay and the tests share one implementation.
 */
package io.tether.protocol;
