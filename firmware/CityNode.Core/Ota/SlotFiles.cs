using CityNode.Hal;

namespace CityNode.Ota
{
    /// <summary>
    /// The files of the release a slot holds, for the loader: the slot's installed manifest
    /// (<see cref="OtaStore.InstalledSector"/>, written before the switch) names them, their sizes
    /// and their chunks; a file's bytes are its chunks in order, one per slot sector. Each file comes
    /// out as one array because Assembly.Load takes one (and keeps it: the interpreter runs the
    /// assembly from that array). Used once per boot, and only when a release runs.
    /// </summary>
    public sealed class SlotFiles
    {
        private readonly IFlash _slot;
        private readonly OtaManifest _manifest;

        private SlotFiles(IFlash slot, OtaManifest manifest)
        {
            _slot = slot;
            _manifest = manifest;
        }

        /// <summary>The files of <paramref name="slot"/> as its installed manifest names them, or null when it has none intact.</summary>
        public static SlotFiles Of(IFlash state, IFlash slot, int slotIndex)
        {
            byte[] bytes = new byte[OtaManifest.MaxLength];
            int length = new OtaStore(state).ReadManifest(OtaStore.InstalledSector + slotIndex, bytes);
            if (length == 0)
            {
                return null;
            }

            try
            {
                return new SlotFiles(slot, OtaManifest.Parse(bytes, length));
            }
            catch (ManifestException)
            {
                return null;
            }
        }

        public int Count { get { return _manifest.FileCount; } }

        public uint Version { get { return _manifest.Version; } }

        public string Name(int file)
        {
            return _manifest.FileName(file);
        }

        /// <summary>The bytes of file <paramref name="file"/>, or null when the flash refused a read.</summary>
        public byte[] Read(int file)
        {
            byte[] bytes = new byte[_manifest.FileSize(file)];
            int at = 0;
            for (int c = _manifest.FirstChunk(file); c < _manifest.FirstChunk(file + 1); c++)
            {
                int n = _manifest.ChunkLength(c);
                if (_slot.Read(c * _slot.SectorSize, bytes, at, n) != FlashStatus.Ok)
                {
                    return null;
                }

                at += n;
            }

            return bytes;
        }
    }
}
