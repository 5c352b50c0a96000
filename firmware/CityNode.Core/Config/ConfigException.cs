using System;

namespace CityNode.Config
{
    /// <summary>A configuration problem, naming the line and the key so a technician can fix the file.</summary>
    public class ConfigException : Exception
    {
        public ConfigException(int line, string key, string problem)
            : base(Describe(line, key, problem))
        {
            Line = line;
            Key = key;
            Problem = problem;
        }

        /// <summary>1-based line, or 0 when the problem is not on one line (a missing key).</summary>
        public int Line { get; private set; }

        public string Key { get; private set; }

        public string Problem { get; private set; }

        private static string Describe(int line, string key, string problem)
        {
            string where = line > 0 ? "line " + line.ToString() + ": " : string.Empty;
            return key != null && key.Length > 0 ? where + key + ": " + problem : where + problem;
        }
    }
}
