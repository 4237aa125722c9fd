using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bulwark.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ModelReleasesAndApprovals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_approvals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    VersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Principal = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Accountable = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_approvals", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "model_releases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    VersionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: true),
                    ManifestDigest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    RootDigest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    By = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Tag = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_releases", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_approvals_VersionId_Accountable",
                table: "model_approvals",
                columns: new[] { "VersionId", "Accountable" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_model_releases_ProjectId_ModelName_Sequence",
                table: "model_releases",
                columns: new[] { "ProjectId", "ModelName", "Sequence" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_approvals");

            migrationBuilder.DropTable(
                name: "model_releases");
        }
    }
}
