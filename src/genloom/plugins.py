"""Plugin hooks (pluggy), in the style of simonw/llm.

Built-in backends register through these same hooks as third-party plugins,
which are discovered from the ``genloom`` entry-point group::

    [project.entry-points.genloom]
    my_backend = "my_package.genloom_plugin"

A plugin module implements any of the hooks below with ``@genloom.plugins.hookimpl``.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("genloom")
hookimpl = pluggy.HookimplMarker("genloom")


class Spec:
    @hookspec
    def register_models(self, register: Any) -> None:
        """Register model cards: ``register(card, factory)``.

        ``factory(card)`` builds the loaded model object; it is only called
        when the model is first used.
        """

    @hookspec
    def register_backends(self, register: Any) -> None:
        """Register backend helpers: ``register(name, status_checker=None)``.

        ``status_checker(card) -> "installed" | "installable" | "missing"``.
        """

    @hookspec
    def register_commands(self, cli: Any) -> None:
        """Add click commands to the ``genloom`` CLI group."""


_manager: pluggy.PluginManager | None = None


def get_plugin_manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        pm = pluggy.PluginManager("genloom")
        pm.add_hookspecs(Spec)
        pm.load_setuptools_entrypoints("genloom")
        # An editable/source checkout may lack entry-point metadata; the
        # built-ins must still be there.
        import genloom.backends.builtin as builtin

        if not pm.is_registered(builtin) and pm.get_plugin("builtin") is None:
            pm.register(builtin, name="builtin")
        _manager = pm
    return _manager


def reset_plugin_manager() -> None:
    global _manager
    _manager = None
