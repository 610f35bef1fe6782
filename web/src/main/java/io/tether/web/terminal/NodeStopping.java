package io.tether.web.terminal;

import io.tether.node.NodeSessions;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * The web application stops (undeploy, or the server shutting down): this node's sessions end
 * before the container closes their connections, so every client, relayed ones included, hears
 * {@code 4014} and its sentence at once rather than a bare {@code 1001}.
 */
@WebListener
public class NodeStopping implements ServletContextListener {
  @Inject NodeSessions sessions;

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    sessions.stopping();
  }
}
