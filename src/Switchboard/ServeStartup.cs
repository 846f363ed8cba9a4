using System.CommandLine;
using Microsoft.Extensions.Options;
using Switchboard.Server.Security;

namespace Switchboard.Host;

/// <summary>
/// Everything <c>serve</c> does before it listens, and so the one place that decides whether a configuration is valid:
/// the certificate of <c>--cert</c>/<c>--key</c>, the application built from appsettings.json, <c>--config</c>, the
/// environment and the flags, every setting validated (each options class that validates at start, unknown keys,
/// values of the wrong type, malformed JSON files), the endpoints mapped, and the refusal to run unprotected outside
/// Development. <c>serve</c> starts the application it prepares; <c>check-config</c> and <c>check-token</c> only read it.
/// </summary>
internal sealed class ServeStartup : IAsyncDisposable
{
    /// <summary>The exit code of a configuration (or flag) that is not valid.</summary>
    public const int Invalid = 2;

    /// <summary>The exit code of a valid configuration that serve still refuses to run (no authentication outside Development).</summary>
    public const int Refused = 3;

    private ServeStartup(WebApplication? app, int exitCode, IReadOnlyList<string> problems)
    {
        App = app;
        ExitCode = exitCode;
        Problems = problems;
    }

    /// <summary>The application, built and mapped, not started; <see langword="null"/> when it could not be built.</summary>
    public WebApplication? App { get; }

    /// <summary>0 when serve would start; <see cref="Invalid"/> or <see cref="Refused"/> otherwise.</summary>
    public int ExitCode { get; }

    /// <summary>Why serve would not start, one reason each (no stack traces, no secret values).</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool IsValid => ExitCode == 0;

    public static ServeStartup Prepare(ServeCommandOptions options, ParseResult parse)
    {
        var extras = new ServeExtras { LogFormat = parse.GetValue(options.LogFormat)! };
        var listen = parse.GetValue(options.Urls)!;
        if (parse.GetValue(options.Cert) is { } certFile)
        {
            extras.Certificate = ServeTls.Load(certFile, parse.GetValue(options.Key), out var certError);
            if (extras.Certificate is null)
            {
                return Fail(null, Invalid, [certError!]);
            }

            listen = parse.GetResult(options.Urls) is { Implicit: false } ? listen : ServeCommand.DefaultHttpsUrls;
            if (!ServeTls.HasHttpsUrl(listen))
            {
                return Fail(null, Invalid, [$"--cert is given but --urls has no https:// address ({listen})."]);
            }
        }

        WebApplication? app = null;
        try
        {
            app = ServeCommand.CreateApp(listen, parse.GetValue(options.Config), [.. parse.UnmatchedTokens], extras);

            // What the host checks first when it starts (every options class registered with ValidateOnStart), run
            // now so that every reason is reported at once, before anything listens.
            app.Services.GetService<IStartupValidator>()?.Validate();
            ServeCommand.MapEndpoints(app);
            if (ProductionSafety.Check(app.Environment, app.Services.GetRequiredService<IOptions<SwitchboardSecurityOptions>>().Value) is { } refusal)
            {
                return Fail(app, Refused, [refusal]);
            }

            return new ServeStartup(app, 0, []);
        }
        catch (Exception ex) when (Reasons(ex) is { } reasons)
        {
            return Fail(app, Invalid, reasons);
        }
    }

    /// <summary>Writes <see cref="Problems"/> as serve does: one line, <c>switchboard: invalid configuration: ...</c> or the refusal.</summary>
    public async Task WriteOneLineAsync(TextWriter error)
    {
        var line = ExitCode == Invalid ? "switchboard: invalid configuration: " + string.Join(" ", Problems) : "switchboard: " + string.Join(" ", Problems);
        await error.WriteLineAsync(line).ConfigureAwait(false);
    }

    /// <summary>Writes <see cref="Problems"/> one per line, for <c>check-config</c> and <c>check-token</c>.</summary>
    public async Task WriteListAsync(TextWriter error)
    {
        await error.WriteLineAsync(ExitCode == Refused ? "switchboard: serve would refuse to start:" : "switchboard: invalid configuration:").ConfigureAwait(false);
        foreach (var problem in Problems)
        {
            await error.WriteLineAsync("  " + problem).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IEnumerable<Exception> Chain(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            yield return ex;
        }
    }

    private static ServeStartup Fail(WebApplication? app, int exitCode, IReadOnlyList<string> problems) => new(app, exitCode, problems);

    /// <summary>What a configuration failure says, or <see langword="null"/> for an exception that is not one (a bug: let it surface).</summary>
    private static List<string>? Reasons(Exception ex) => ex switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException all when all.InnerExceptions.All(static e => e is OptionsValidationException) =>
            [.. all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(static e => e.Failures).Distinct(StringComparer.Ordinal)],

        // The binder's "Failed to convert configuration value '...' at 'Switchboard:HistorySize' to type 'System.Int32'."
        InvalidOperationException { InnerException: ArgumentException or FormatException or OverflowException } => [ex.Message],

        // A configuration file that is not valid JSON: which file, and where the parser stopped (never its content).
        InvalidDataException => [string.Join(" ", Chain(ex).Select(static e => e.Message).Distinct(StringComparer.Ordinal))],
        _ => null,
    };
}
