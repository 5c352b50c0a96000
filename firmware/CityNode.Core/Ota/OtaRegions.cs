using CityNode.Hal;

namespace CityNode.Ota
{
    /// <summary>
    /// Where an update lives on the node's drive (docs/ota.md, flash layout): the state region
    /// (<c>ota</c>: boot record, pending manifest, progress, each slot's installed manifest) and the two
    /// application slots (<c>ota-a</c>, <c>ota-b</c>, one chunk per sector). The loader in the deployed
    /// image and the application open them from this one table, so the two agree on every name and size.
    /// </summary>
    public static class OtaRegions
    {
        public const string State = "ota";
        public const int StateSectors = 6;
        public const int StateSectorSize = 4096;

        /// <summary>The sector size of a slot region, and so the chunk size of every release (one chunk per sector).</summary>
        public const int SlotSectorSize = 4096;

        public static IFlash OpenState(IFlashProvider flash)
        {
            return flash.Open(State, StateSectorSize, StateSectors);
        }

        /// <summary>Slot 0 (<c>ota-a</c>) or 1 (<c>ota-b</c>) with <paramref name="sectors"/> sectors (the loader, which has no board file, opens the manifest's bound: only sectors a manifest names are read).</summary>
        public static IFlash OpenSlot(IFlashProvider flash, int slot, int sectors)
        {
            return flash.Open(slot == 0 ? "ota-a" : "ota-b", SlotSectorSize, sectors);
        }
    }
}
