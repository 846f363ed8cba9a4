using System.CommandLine;

namespace Switchboard.Host;

/// <summary>
/// The options of <c>serve</c>, shared with <c>check-config</c> and <c>check-token</c> so that those read the very
/// configuration serve would: the same flags, the same defaults, any <c>--Section:Key=value</c> flag as a setting.
/// </summary>
internal sealed class ServeCommandOptions
{
    public Option<string> Urls { get; } = new("--urls") { Description = "Addresses to listen on, separated by ';'.", DefaultValueFactory = _ => ServeCommand.DefaultUrls };

    public Option<FileInfo> Config { get; } = new Option<FileInfo>("--config") { Description = "An extra JSON configuration file, read after appsettings.json. It must exist: a missing file stops the command rather than running without its settings." }.AcceptExistingOnly();

    public Option<FileInfo> Cert { get; } = new Option<FileInfo>("--cert") { Description = "A PEM certificate (with its chain) for the https:// addresses in --urls, so clients use wss://. Without --urls, serve listens on https://localhost:8000." }.AcceptExistingOnly();

    public Option<FileInfo> Key { get; } = new Option<FileInfo>("--key") { Description = "The PEM private key of --cert, when the certificate file does not hold it." }.AcceptExistingOnly();

    public Option<string> LogFormat { get; } = CreateLogFormat();

    /// <summary>Adds the options to <paramref name="command"/> and lets it take <c>--Section:Key=value</c> flags as settings.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Urls);
        command.Options.Add(Config);
        command.Options.Add(Cert);
        command.Options.Add(Key);
        command.Options.Add(LogFormat);
        command.TreatUnmatchedTokensAsErrors = false;
    }

    private static Option<string> CreateLogFormat()
    {
        var option = new Option<string>("--log-format") { Description = "Console log format: text (one readable line per event) or json (one JSON object per line).", DefaultValueFactory = _ => ServeLogging.Text };
        option.AcceptOnlyFromAmong(ServeLogging.Text, ServeLogging.Json);
        return option;
    }
}
