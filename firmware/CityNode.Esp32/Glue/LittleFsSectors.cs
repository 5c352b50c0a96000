using System.IO;
using CityNode.Storage;

namespace CityNode.Esp32.Glue
{
    /// <summary>SectorFiles on the littlefs I: drive (System.IO.FileStream commits a file on close); the loader and the application open the same folder.</summary>
    internal sealed class LittleFsSectors : SectorFiles
    {
        /// <summary>The folder of the node's flash regions on its drive.</summary>
        public const string Folder = "cn\\";

        public static LittleFsSectors On(string drive) => new LittleFsSectors(drive + Folder);

        public LittleFsSectors(string path)
            : base(path)
        {
        }

        private LittleFsSectors(string path, SectorBuffer buffer)
            : base(path, buffer)
        {
        }

        protected override string Separator => "\\";

        protected override SectorFiles Region(string prefix, SectorBuffer buffer) => new LittleFsSectors(prefix, buffer);

        protected override void CreateFolder(string path) => Directory.CreateDirectory(path);

        protected override bool Exists(string file) => File.Exists(file);

        protected override int ReadPrefix(string file, byte[] into, int count)
        {
            using (FileStream f = new FileStream(file, FileMode.Open, FileAccess.Read))
            {
                int n = f.Length < count ? (int)f.Length : count;
                return n == 0 || f.Read(into, 0, n) == n ? n : -1;
            }
        }

        protected override void Write(string file, byte[] from, int count)
        {
            using (FileStream f = new FileStream(file, FileMode.Create, FileAccess.Write))
            {
                f.Write(from, 0, count);
            } // closed: committed
        }
    }
}
