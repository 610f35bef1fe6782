package io.tether.web.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API root. Access is container-managed (web.xml): role user or admin. */
@ApplicationPath("api")
public class TetherApi extends Application {}
