package io.tether.web.api;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * One JSON-B instance for every JAX-RS answer of the application. Without a resolver, the server's
 * JSON-B provider built a new instance for each answer (a provider lookup through the class loader,
 * then every class's mapping parsed again): about a quarter of a ticket request's CPU time (JFR,
 * 2026-12-05), on the path from a page's load to its prompt. An instance is thread-safe and caches
 * the mappings it has made.
 */
@Provider
public class OneJsonb implements ContextResolver<Jsonb> {
  private static final Jsonb JSONB = JsonbBuilder.create();

  @Override
  public Jsonb getContext(Class<?> type) {
    return JSONB;
  }
}
