// Preloaded into a server process (node --import): on SIGUSR2, a timer callback throws
// and a promise is rejected with nobody awaiting it, as a bug in any callback would.
process.on("SIGUSR2", () => {
  setTimeout(() => {
    throw new Error("thrown from a timer");
  }, 0);
  void Promise.reject(new Error("rejected and never awaited"));
});
