/**
 * Idle sweeps: a non-persistent EJB timer on every node looks at that node's sessions, warns the
 * people at idle ones, ends those idle past their limit, and reconciles the node's PTYs with the
 * session registry so abandoned shells never pile up.
 */
package io.tether.sweep;
