/** The JSON REST API under {@code /tether/api}: tickets, and what the page needs to know. */
package io.tether.web.api;
