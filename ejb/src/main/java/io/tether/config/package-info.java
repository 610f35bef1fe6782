/** Tether's settings: MicroProfile Config properties, so environment variables override them. */
package io.tether.config;
