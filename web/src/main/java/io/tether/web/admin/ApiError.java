package io.tether.web.admin;

/**
 * The JSON body of an admin API error.
 *
 * @param error a stable machine name ({@code no-such-session}, {@code bad-request}, ...)
 * @param message a sentence for a person
 */
public record ApiError(String error, String message) {}
