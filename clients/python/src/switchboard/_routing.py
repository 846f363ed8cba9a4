"""A client's subscriptions: publications routed to them, the gaps they heal by subscribing again, and their
subscribe commands, on whatever connection is current."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._commands import Command
from ._protocol import encode_command, matches
from .errors import CommandError, SwitchboardConnectionError, SwitchboardTimeoutError
from .models import Publication
from .subscription import Subscription

if TYPE_CHECKING:
    from .client import Client


class Subscriptions(dict[str, Subscription]):
    """The client's subscriptions by channel (or pattern, as subscribed). One event loop."""

    def __init__(self, client: Client) -> None:
        super().__init__()
        self._client = client

    def owns(self, subscription: Subscription) -> bool:
        return self.get(subscription.channel) is subscription

    async def route(self, message: dict[str, Any]) -> None:
        """A ``message``: to the exact subscription and every matching pattern; a server send (no offset) to the
        exact subscription or, without one, to the client's ``on_message`` listeners."""
        channel = str(message.get("channel"))
        exact = self.get(channel)
        if not isinstance(message.get("offset"), int):
            if exact is not None:
                await exact.on_direct(message)
            else:
                self._client._on_send(Publication.from_wire(message))
            return
        if exact is not None and await exact.on_publication(message) == "gap":
            self.heal(exact)
        for subscription in list(self.values()):
            if subscription.is_wildcard and matches(subscription.channel, channel):
                await subscription.on_publication(message)

    def server_unsubscribed(self, message: dict[str, Any]) -> None:
        subscription = self.get(str(message.get("channel")))
        if subscription is None:
            return
        if message.get("resubscribe") is True:
            self.heal(subscription, ended_by_server=True)  # A gap the server could not heal on its side.
            return
        del self[subscription.channel]
        subscription.end()

    def heal(self, subscription: Subscription, ended_by_server: bool = False) -> None:
        """Resubscribes from the last delivered position on this connection: the server recovers the gap or says it
        cannot. One connection's commands run in order, so nothing of the ended subscription comes after the result."""
        commands = self._client._commands
        if subscription.healing or self._client.state != "connected" or commands is None:
            return
        if subscription.is_wildcard:
            subscription.mark_gap()  # Patterns cannot recover: say so on the next publication.
        subscription.healing = True
        if not ended_by_server:
            commands.send_raw(encode_command({"type": "unsubscribe", "channel": subscription.channel}))
        self.send_subscribe(subscription)

    def send_subscribe(self, subscription: Subscription, front: bool = False) -> Command:
        """Sends ``subscribe`` (with ``since`` = the last delivered position); its result is applied in the reader,
        in order with the publications around it."""
        commands = self._client._commands
        assert commands is not None
        since = subscription.since_for_subscribe()
        body: dict[str, Any] = {"type": "subscribe", "channel": subscription.channel, "presence": subscription.wants_presence}
        if since is not None:
            body["since"] = since.wire()

        async def applied(result: Any) -> None:
            if self.owns(subscription):
                await subscription.on_subscribed(result, since is not None)

        command = commands.submit(body, "forget", front=front, on_result=applied)
        self._client._spawn(self._watch(subscription, command))
        return command

    async def remove(self, subscription: Subscription) -> None:
        if self.owns(subscription):
            del self[subscription.channel]
            commands = self._client._commands
            if self._client.state == "connected" and commands is not None:
                # Without an id: nothing to wait for; commands run in order, so it also undoes a subscribe in flight.
                commands.send_raw(encode_command({"type": "unsubscribe", "channel": subscription.channel}))
        subscription.end()

    def end_all(self, error: BaseException | None = None) -> None:
        for subscription in list(self.values()):
            subscription.end(error)
        self.clear()

    async def _watch(self, subscription: Subscription, command: Command) -> None:
        commands = self._client._commands
        assert commands is not None
        try:
            await commands.wait(command, self._client.command_timeout)
        except CommandError as error:
            if self.owns(subscription):
                del self[subscription.channel]
                subscription.end(error)
        except SwitchboardTimeoutError:
            self._client._abandon_link("subscribe timed out")  # No answer on a live link: a fresh one resubscribes.
        except SwitchboardConnectionError:
            pass  # Subscribed again on the next connection.
