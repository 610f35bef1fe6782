package io.tether.web.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The end of a form login: the request to {@code j_security_check} reaches this filter only once
 * {@link BasicOrFormMechanism} has checked the password and the server has given the user their
 * roles. It keeps the user's name and roles in the HTTP session (under a new session id), and sends
 * the browser to the page it first asked for, or to the terminal page.
 */
// Every path: the login form posts to j_security_check relative to the page it replaced. Async, as
// the event stream behind it is.
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class LoginCompletion extends HttpFilter {
  private static final Logger LOG = Logger.getLogger(LoginCompletion.class.getName());

  /** Tether's roles (web.xml's security-role), as the server gave them at login. */
  static final List<String> ROLES = List.of("user", "admin");

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!"POST".equals(request.getMethod())
        || !request.getRequestURI().endsWith(BasicOrFormMechanism.LOGIN_ACTION)
        || request.getRemoteUser() == null) {
      chain.doFilter(request, response);
      return;
    }
    String user = request.getRemoteUser();
    String roles = ROLES.stream().filter(request::isUserInRole).collect(Collectors.joining(","));
    HttpSession session = request.getSession();
    request.changeSessionId(); // a login never keeps the session id it was given before
    Object wanted = session.getAttribute(BasicOrFormMechanism.WANTED);
    session.removeAttribute(BasicOrFormMechanism.WANTED);
    session.setAttribute(BasicOrFormMechanism.USER, user);
    session.setAttribute(BasicOrFormMechanism.ROLES, roles);
    LOG.info(() -> user + " logged in (roles " + roles + ")");
    String home = request.getContextPath() + "/";
    response.setHeader("Cache-Control", "no-store");
    response.sendRedirect(
        wanted instanceof String url && url.startsWith(home) && !url.startsWith(home + "/")
            ? url
            : home);
  }

  /** The roles kept in the session, as a set. */
  static Set<String> roles(String kept) {
    return Arrays.stream(kept.split(","))
        .filter(role -> !role.isBlank())
        .collect(Collectors.toUnmodifiableSet());
  }
}
