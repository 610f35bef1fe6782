package io.tether.it.cluster.probe;

import jakarta.annotation.Resource;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.Topic;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code POST /jms-probe/probe?text=...} publishes a text message on the probe topic from this
 * node; {@code GET /jms-probe/probe} lists, one a line, what this node's subscriber received.
 */
@WebServlet("/probe")
public class ProbeServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** The platform's default JMS connection factory (the pooled one of the embedded broker). */
  @Resource private transient ConnectionFactory connectionFactory;

  @Resource(lookup = ProbeListener.TOPIC)
  private transient Topic topic;

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String text = request.getParameter("text");
    if (text == null || text.isBlank()) {
      response.sendError(HttpServletResponse.SC_BAD_REQUEST, "text is required");
      return;
    }
    try (JMSContext jms = connectionFactory.createContext()) {
      jms.createProducer().send(topic, text);
    }
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/plain;charset=UTF-8");
    response.getWriter().write(String.join("\n", ProbeListener.RECEIVED));
  }
}
