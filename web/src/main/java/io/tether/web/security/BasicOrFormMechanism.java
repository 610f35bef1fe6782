package io.tether.web.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.auth.message.callback.PasswordValidationCallback;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;

/**
 * HTTP Basic for API clients, a login form for browsers, on any Jakarta EE server: WildFly's {@code
 * BASIC?silent=true,FORM} as one Jakarta Security mechanism.
 *
 * <ul>
 *   <li>A request with {@code Authorization: Basic} is authenticated by it alone: a wrong password
 *       gets {@code 401} with {@code WWW-Authenticate: Basic realm="ApplicationRealm"}.
 *   <li>A browser's request for a protected page, not logged in, gets the login page in its place
 *       ({@code /login.html}, status 200), and its URL is kept in the HTTP session; the form posts
 *       to {@code j_security_check}; a good password sends the browser back to that URL, a wrong
 *       one to {@code /login-error.html}. The login then holds for the HTTP session (replicated in
 *       a cluster: it holds the user's name only).
 * </ul>
 *
 * <p>The password is checked, and the roles are given, by the server's own user store: the
 * mechanism asks the container with a {@link PasswordValidationCallback} (Jakarta Authentication),
 * then names the caller with no groups of its own. WildFly's Elytron (integrated JASPI) checks the
 * password against the application security domain and takes the roles from it; Payara checks it
 * against its default realm (the file realm) and adds the user's groups, which {@code
 * glassfish-application.xml} maps to roles. A login restored from the session names the caller
 * only, and each server loads that user's roles from its store again.
 */
@ApplicationScoped
public class BasicOrFormMechanism implements HttpAuthenticationMechanism {
  private static final Logger LOG = Logger.getLogger(BasicOrFormMechanism.class.getName());

  /** The realm a Basic challenge names (WildFly's application realm, as before). */
  static final String REALM = "ApplicationRealm";

  static final String LOGIN_PAGE = "/login.html";
  static final String ERROR_PAGE = "/login-error.html";
  static final String LOGIN_ACTION = "/j_security_check";

  /** Session attribute: the logged-in user's name. */
  static final String USER = "io.tether.web.security.user";

  /** Session attribute: the logged-in user's roles, comma-separated (see LoginCompletion). */
  static final String ROLES = "io.tether.web.security.roles";

  /** Session attribute: the URL a browser asked for before it was shown the login page. */
  static final String WANTED = "io.tether.web.security.wanted";

  @Override
  public AuthenticationStatus validateRequest(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
    String authorization = request.getHeader("Authorization");
    if (authorization != null && BasicCredentials.isBasic(authorization)) {
      return basic(authorization, response, context);
    }
    if ("POST".equals(request.getMethod()) && request.getRequestURI().endsWith(LOGIN_ACTION)) {
      return form(request, context);
    }
    HttpSession session = request.getSession(false);
    if (session != null
        && session.getAttribute(USER) instanceof String user
        && session.getAttribute(ROLES) instanceof String roles) {
      return context.notifyContainerAboutLogin(user, LoginCompletion.roles(roles));
    }
    if (!context.isProtected()) {
      return context.doNothing();
    }
    if (!isPageRequest(request)) {
      // An API call or another method: the login page at its own URL.
      return context.redirect(request.getContextPath() + LOGIN_PAGE);
    }
    if (acceptsHtml(request)) {
      // A page a person asked for (not an icon or a script the page loads): come back to it.
      String query = request.getQueryString();
      request
          .getSession()
          .setAttribute(WANTED, request.getRequestURI() + (query == null ? "" : "?" + query));
    }
    return context.forward(LOGIN_PAGE);
  }

  private AuthenticationStatus basic(
      String authorization, HttpServletResponse response, HttpMessageContext context) {
    Optional<BasicCredentials> credentials = BasicCredentials.parse(authorization);
    if (credentials.isPresent()
        && passwordIsValid(context, credentials.get().user(), credentials.get().password())) {
      return context.notifyContainerAboutLogin(credentials.get().user(), Set.of());
    }
    response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
    return context.responseUnauthorized();
  }

  private AuthenticationStatus form(HttpServletRequest request, HttpMessageContext context) {
    String user = request.getParameter("j_username");
    String password = request.getParameter("j_password");
    if (user == null
        || user.isBlank()
        || password == null
        || !passwordIsValid(context, user, password)) {
      LOG.fine(() -> "login form: wrong user name or password for " + user);
      return context.redirect(request.getContextPath() + ERROR_PAGE);
    }
    // Logged in for this request, with the roles the store gives: LoginCompletion (the filter the
    // request goes on to) keeps the name and the roles in the session and sends the browser on.
    return context.notifyContainerAboutLogin(user, Set.of());
  }

  /** Asks the server's user store, through the container's Jakarta Authentication handler. */
  private static boolean passwordIsValid(HttpMessageContext context, String user, String password) {
    PasswordValidationCallback check =
        new PasswordValidationCallback(context.getClientSubject(), user, password.toCharArray());
    try {
      context.getHandler().handle(new Callback[] {check});
    } catch (IOException | UnsupportedCallbackException e) {
      LOG.log(Level.WARNING, "the server could not check a password", e);
      return false;
    } finally {
      check.clearPassword();
    }
    return check.getResult();
  }

  private static boolean isPageRequest(HttpServletRequest request) {
    return "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
  }

  private static boolean acceptsHtml(HttpServletRequest request) {
    String accept = request.getHeader("Accept");
    return accept == null || accept.contains("text/html");
  }
}
