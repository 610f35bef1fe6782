package io.tether.web.admin;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;

/**
 * Refuses {@link AdminOnly} resources to anyone without the {@code admin} role with 403. The {@code
 * web.xml} constraint on {@code /api/admin/*} refuses them first; this check keeps them closed if
 * that mapping ever changes.
 */
@Provider
@AdminOnly
@Priority(Priorities.AUTHORIZATION)
public class AdminOnlyFilter implements ContainerRequestFilter {
  private static final Logger LOG = Logger.getLogger(AdminOnlyFilter.class.getName());

  @Override
  public void filter(ContainerRequestContext request) {
    SecurityContext security = request.getSecurityContext();
    if (security != null && security.isUserInRole("admin")) {
      return;
    }
    String user =
        security == null || security.getUserPrincipal() == null
            ? "anonymous"
            : security.getUserPrincipal().getName();
    LOG.fine(() -> user + " refused " + request.getUriInfo().getPath() + ": not an admin");
    request.abortWith(ApiError.forbidden());
  }
}
