/**
 * The bus connector `trellis up` uses: a link bus that works offline at
 * once and dials NATS with the link's credentials and TLS files in the
 * background, probing the local leaf node's monitoring endpoint for the
 * hub beyond it when `--leaf-monitor` names one.
 *
 * @module
 */
import type { BusConnector } from "../runtime/cli_lattice.ts";
import { LinkBus } from "./link_bus.ts";
import { connectNatsBus } from "./nats_bus.ts";
import { LeafMonitorProbe } from "./upstream_probe.ts";

/** Opens a link to the servers of `link` (see `runtime/cli_lattice.ts`). */
export const connectNats: BusConnector = (link, logger) =>
  new LinkBus({
    connect: () =>
      connectNatsBus({
        servers: link.servers,
        name: "trellis",
        credsFile: link.credsFile,
        nkeySeedFile: link.nkeySeedFile,
        tls: link.tls,
        logger,
      }),
    probe: link.leafMonitor === undefined
      ? undefined
      : new LeafMonitorProbe({ url: link.leafMonitor, logger }),
    logger,
  });
