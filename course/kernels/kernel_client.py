"""A kernel client that takes its kernel as ready as soon as the kernel's own messages say so.

jupyter_client's ``wait_for_ready`` asks for ``kernel_info`` and then waits until IOPub has been silent for 0.2 s
before it hands the kernel over: 0.2 s to 0.4 s per kernel, whatever the kernel does, which is about a third of what a
forked kernel costs to grade one notebook. This client keeps the same protocol (ask for kernel_info until a reply
comes and IOPub is seen connected) but stops at the IOPub ``status: idle`` message that closes the kernel_info
request, which the kernel sends after everything else the request caused; so nothing of the handshake is left
to flush, and no fixed wait is spent.

The grading configuration names it as ``GradingKernelManager.client_class``
(:func:`course.grading.kernels.private_folder.grading_kernels`).
"""
from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

# seconds without a message on IOPub after which it is taken as not yet connected, and kernel_info asked again
# (upstream waits 0.2 s; a shorter wait only means asking again sooner, never taking a kernel as ready too early)
IOPUB_SILENCE = 0.05
# seconds to wait for the kernel_info reply before checking that the kernel is still alive and asking again (upstream's
# own wait)
KERNEL_INFO_REPLY_SECONDS = 1.0


class PromptKernelClient(AsyncKernelClient):
    async def _wait_for_ready_promptly(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=KERNEL_INFO_REPLY_SECONDS)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                if await self._iopub_reaches_idle_of(reply["parent_header"].get("msg_id")):
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _iopub_reaches_idle_of(self, request_id: str | None) -> bool:
        """Read IOPub up to the idle status that ends request ``request_id``; False when IOPub stays silent."""
        while True:
            try:
                message = await self.iopub_channel.get_msg(timeout=IOPUB_SILENCE)
            except Empty:
                return False
            if (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                    and message["parent_header"].get("msg_id") == request_id):
                return True

    wait_for_ready = _wait_for_ready_promptly
