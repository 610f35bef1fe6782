package io.tether.registry;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the records of the page, in the listing's order
 * @param total how many records matched the filters (on every page)
 */
public record SessionPage(List<SessionRecord> items, long total) {
  public SessionPage {
    items = List.copyOf(items);
  }
}
