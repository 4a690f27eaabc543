import Foundation
import TidingsCLI

exit(await TidingsMain.run(Array(CommandLine.arguments.dropFirst())))
