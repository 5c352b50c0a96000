return await CityNode.Cli.CliApp.RunAsync(args);

// Internal as before serve brought ASP.NET Core in (whose generator makes a top-level Program public,
// which then clashes with the benchmarks' own Program).
internal partial class Program;
