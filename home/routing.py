"""Serving a page reads the pages above it once, as Wagtail's routing walks down to it.

Wagtail finds a page by reading each level of its address (`Page.route`) and tells each child its parent
(`_cached_parent_obj`). Without this module the breadcrumb, the formation's campus and the view restrictions then
read those same ancestors again, and each level of the walk takes two queries (the page, then its own table).
"""

from wagtail.models import PageViewRestriction


def routed_ancestors(page):
    """The pages above `page`, from the site's home page (depth 2) down to its parent, as routing left them on it.

    None when one of them is not known without a query (a page not reached by routing, e.g. in the admin).
    """
    ancestors = []
    current = page
    while current.depth > 2:
        parent = current.__dict__.get("_cached_parent_obj")
        if parent is None:
            return None
        ancestors.append(parent)
        current = parent
    return ancestors[::-1]


def breadcrumb_ancestors(page):
    """The pages a breadcrumb lists above `page`: its ancestors without the tree's root."""
    ancestors = routed_ancestors(page)
    if ancestors is None:
        return list(page.get_ancestors()[1:])
    return ancestors


class RoutedPageMixin:
    """For a page served to the public: one query per level of its address, none to read its ancestors again.

    A model lists in `route_select_related` the relations its page shows, read in the same query when its parent
    routes to it.
    """

    route_select_related = ()

    def route(self, request, path_components):
        # Wagtail reads the child as a plain Page, then its own table. When every child is of one type, that type's
        # table is read at once: one query instead of two, with the relations the child's page shows.
        subpage_models = self.allowed_subpage_models()
        if path_components and len(subpage_models) == 1:
            model = subpage_models[0]
            child = (
                model.objects.child_of(self)
                .select_related(*getattr(model, "route_select_related", ()))
                .filter(slug=path_components[0])
                .first()
            )
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        # No child of that type by that name (another type, kept from before the rule, or none): Wagtail decides.
        return super().route(request, path_components)

    def get_view_restrictions(self):
        """The view restrictions of the page and its ancestors, in one query when routing gave the ancestors.

        Wagtail reads the ancestors again to follow aliases to their source. Routed ancestors say whether one is
        an alias: when none is, the restrictions are those of the pages on the page's path (the root included).
        Kept on the page: the cache hook and Wagtail's own check ask twice for each request.
        """
        if "_view_restrictions" not in self.__dict__:
            ancestors = routed_ancestors(self)
            if ancestors is None or any(page.alias_of_id for page in (self, *ancestors)):
                return super().get_view_restrictions()
            paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
            self._view_restrictions = PageViewRestriction.objects.filter(page__path__in=paths)
        return self._view_restrictions
