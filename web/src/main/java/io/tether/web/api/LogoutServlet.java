package io.tether.web.api;

import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * {@code POST /logout}: ends the login (the HTTP session and its authentication) and sends the
 * browser to the terminal page, which then asks for a login. The shells live on: a detached session
 * is there to reattach after the next login, until its idle limit.
 */
@WebServlet("/logout")
public class LogoutServlet extends HttpServlet {
  private static final Logger LOG = Logger.getLogger(LogoutServlet.class.getName());

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    String user = request.getRemoteUser();
    request.logout();
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    LOG.info(() -> user + " logged out");
    response.setHeader("Cache-Control", "no-store");
    response.sendRedirect(request.getContextPath() + "/");
  }
}
